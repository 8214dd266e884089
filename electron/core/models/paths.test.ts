import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appRoot } from './paths';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('appRoot', () => {
  it('is the checkout (with its package.json and native-models) when CARLENS_APP_ROOT is not set', () => {
    const root = appRoot({});
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(existsSync(join(root, 'native-models'))).toBe(true);
    expect(root).toBe(resolve(import.meta.dirname, '..', '..', '..'));
  });

  it('is CARLENS_APP_ROOT when set, resolved to an absolute path', () => {
    expect(appRoot({ CARLENS_APP_ROOT: '/opt/CarLens/resources' })).toBe('/opt/CarLens/resources');
    expect(appRoot({ CARLENS_APP_ROOT: 'relative/root' })).toBe(resolve('relative/root'));
  });

  it('places the native models under the override when it is set before the module loads', async () => {
    vi.stubEnv('CARLENS_APP_ROOT', '/opt/CarLens/resources');
    const fresh = await import('./paths');
    expect(fresh.REPO_ROOT).toBe('/opt/CarLens/resources');
    expect(fresh.NATIVE_MODELS_DIR).toBe('/opt/CarLens/resources/native-models');
  });
});
