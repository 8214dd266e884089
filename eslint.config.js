import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'out', 'dist', 'release', 'workspace', '.cache', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is plain Node: the CLI, the browser bridge and Electron's main process all sit on top of it.
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'electron/core must not depend on Electron.' }],
        patterns: [{
          group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**', 'electron/*'],
          message: 'electron/core imports only downward (core and npm packages).',
        }],
      }],
    },
  },
);
