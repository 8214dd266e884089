import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { sharedDir } from '../models/paths';

export interface ClipTokenizer {
  readonly contextLength: number;
  readonly startToken: number;
  readonly endToken: number;
  /** Token ids with the start and end tokens, not truncated. */
  encode(text: string): number[];
  /** Number of tokens including the start and end tokens. */
  count(text: string): number;
  /**
   * Rows of exactly `contextLength` ids, padded with 0. A text that is too long is cut so that the end token
   * stays last (as open_clip does), so the text tower still reads its end-of-text position.
   */
  batch(
    texts: string[],
    dtype: 'int32' | 'int64',
  ): { ids: Int32Array | BigInt64Array; attentionMask: Int32Array | BigInt64Array; shape: [number, number] };
}

export interface ClipTokenizerOptions {
  vocab?: string;
  merges?: string;
  contextLength?: number;
}

const START = '<|startoftext|>';
const END = '<|endoftext|>';
export const DEFAULT_CONTEXT_LENGTH = 77;

/** OpenAI CLIP's `simple_tokenizer` pattern, applied after lowercasing (so its IGNORECASE flag is not needed). */
const CLIP_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export function defaultTokenizerFiles(): { vocab: string; merges: string } {
  const dir = join(sharedDir(), 'models', 'clip-tokenizer');
  return { vocab: join(dir, 'vocab.json'), merges: join(dir, 'merges.txt') };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`CLIP tokenizer ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * CLIP's BPE expressed as a Hugging Face tokenizer.json (the same pipeline as openai/clip-vit-* `tokenizer.json`):
 * NFC, whitespace runs → one space, lowercase; split by the CLIP pattern; byte-level alphabet; BPE with the `</w>`
 * end-of-word suffix; start/end tokens around. OpenAI's reference also runs ftfy and HTML-unescapes the text;
 * neither changes the plain ASCII descriptions this app writes, so they are left out.
 */
export async function loadClipTokenizer(options: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
  const defaults = defaultTokenizerFiles();
  const vocabPath = options.vocab ?? defaults.vocab;
  const mergesPath = options.merges ?? defaults.merges;
  const contextLength = options.contextLength ?? DEFAULT_CONTEXT_LENGTH;
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new Error(`CLIP tokenizer: context length must be an integer ≥ 2, got ${contextLength}`);
  }

  let vocab: Record<string, number>;
  try {
    vocab = JSON.parse(await readText(vocabPath, 'vocabulary'));
  } catch (error) {
    throw new Error(`${vocabPath}: not a CLIP vocabulary (${(error as Error).message})`);
  }
  const startToken = vocab[START];
  const endToken = vocab[END];
  if (typeof startToken !== 'number' || typeof endToken !== 'number') {
    throw new Error(`${vocabPath}: not a CLIP vocabulary (no ${START} / ${END} entries)`);
  }
  const merges = (await readText(mergesPath, 'merges'))
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#version'));
  if (merges.length === 0) throw new Error(`${mergesPath}: no BPE merges`);

  const special = { special: true, normalized: false, lstrip: false, rstrip: false, single_word: false };
  const tokenizer = new Tokenizer(
    {
      added_tokens: [
        { id: startToken, content: START, ...special },
        { id: endToken, content: END, ...special },
      ],
      normalizer: {
        type: 'Sequence',
        normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
      },
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: CLIP_PATTERN }, behavior: 'Removed', invert: true },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      post_processor: { type: 'RobertaProcessing', sep: [END, endToken], cls: [START, startToken] },
      decoder: { type: 'ByteLevel' },
      model: {
        type: 'BPE',
        vocab,
        merges,
        end_of_word_suffix: '</w>',
        continuing_subword_prefix: '',
        unk_token: END,
        fuse_unk: false,
      },
    },
    { bos_token: START, eos_token: END, unk_token: END, pad_token: END },
  );

  const encode = (text: string): number[] => tokenizer.encode(text).ids;

  return {
    contextLength,
    startToken,
    endToken,
    encode,
    count: (text) => encode(text).length,
    batch(texts, dtype) {
      const size = texts.length * contextLength;
      const ids = dtype === 'int64' ? new BigInt64Array(size) : new Int32Array(size);
      const attentionMask = dtype === 'int64' ? new BigInt64Array(size) : new Int32Array(size);
      texts.forEach((text, row) => {
        let tokens = encode(text);
        if (tokens.length > contextLength) tokens = [...tokens.slice(0, contextLength - 1), endToken];
        tokens.forEach((id, i) => {
          const at = row * contextLength + i;
          if (ids instanceof BigInt64Array) {
            ids[at] = BigInt(id);
            (attentionMask as BigInt64Array)[at] = 1n;
          } else {
            ids[at] = id;
            (attentionMask as Int32Array)[at] = 1;
          }
        });
      });
      return { ids, attentionMask, shape: [texts.length, contextLength] };
    },
  };
}
