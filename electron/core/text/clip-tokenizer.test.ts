import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTokenizerFiles, loadClipTokenizer, type ClipTokenizer } from './clip-tokenizer';

// Expected ids were produced by an independent Python re-implementation of OpenAI's simple_tokenizer reading
// bpe_simple_vocab_16e6.txt.gz (not vocab.json/merges.txt), and the token strings were read back from vocab.json.
const S = 49406;
const E = 49407;

describe('CLIP tokenizer (shared vocab.json + merges.txt)', () => {
  let tok: ClipTokenizer;
  let idToToken: Map<number, string>;
  beforeAll(async () => {
    tok = await loadClipTokenizer();
    const vocab = JSON.parse(await readFile(defaultTokenizerFiles().vocab, 'utf8')) as Record<string, number>;
    idToToken = new Map(Object.entries(vocab).map(([k, v]) => [v, k]));
  });

  it('has the CLIP special tokens and context length', () => {
    expect([tok.startToken, tok.endToken, tok.contextLength]).toEqual([S, E, 77]);
  });

  it('gives the ids the models README lists', () => {
    const words = { a: 320, car: 1615, dent: 1258, scratch: 13258, bumper: 17881 };
    for (const [word, id] of Object.entries(words)) expect(tok.encode(word)).toEqual([S, id, E]);
  });

  it('lowercases, splits punctuation, keeps "\'s" as its own token', () => {
    expect(tok.encode('A photo of a CAR with a Dent!')).toEqual([S, 320, 1125, 539, 320, 1615, 593, 320, 1258, 256, E]);
    const ids = tok.encode("the car's rear bumper, scratched.");
    expect(ids).toEqual([S, 518, 1615, 568, 10223, 17881, 267, 48831, 269, E]);
    expect(ids.slice(1, -1).map((id) => idToToken.get(id))).toEqual([
      'the</w>', 'car</w>', "'s</w>", 'rear</w>', 'bumper</w>', ',</w>', 'scratched</w>', '.</w>',
    ]);
  });

  it('splits numbers into single digits and merges sub-words', () => {
    const ids = tok.encode('2 instances of 13 dents; 100% damage (approx.)');
    expect(ids.slice(1, -1).map((id) => idToToken.get(id))).toEqual([
      '2</w>', 'inst', 'ances</w>', 'of</w>', '1</w>', '3</w>', 'dents</w>', ';</w>',
      '1</w>', '0</w>', '0</w>', '%</w>', 'damage</w>', '(</w>', 'approx</w>', '.)</w>',
    ]);
  });

  it('collapses whitespace and handles underscores, non-ASCII letters and the empty text', () => {
    expect(tok.encode('  Multiple   spaces\tand\nnewlines  ')).toEqual([S, 6470, 9006, 537, 1218, 3418, E]);
    expect(tok.encode('Vehicle zone: rear_left_quarter (posterior area).')).toEqual([
      S, 5299, 4442, 281, 10223, 318, 1823, 318, 6632, 263, 22881, 2498, 2445, 1818, E,
    ]);
    expect(tok.encode('café naïve')).toEqual([S, 15304, 1097, 35689, 563, E]);
    expect(tok.encode('')).toEqual([S, E]);
    expect(tok.count('a car')).toBe(4);
  });

  it('does not truncate encode, but batch cuts long texts keeping the end token last, padded with 0', () => {
    const long = Array.from({ length: 100 }, () => 'car').join(' ');
    expect(tok.encode(long)).toHaveLength(102);
    const { ids, attentionMask, shape } = tok.batch([long, 'a dent'], 'int32');
    expect(shape).toEqual([2, 77]);
    const row0 = Array.from(ids.slice(0, 77) as Int32Array);
    expect(row0[0]).toBe(S);
    expect(row0.slice(1, 76).every((id) => id === 1615)).toBe(true);
    expect(row0[76]).toBe(E);
    expect(Array.from(attentionMask.slice(0, 77) as Int32Array).every((m) => m === 1)).toBe(true);
    const row1 = Array.from(ids.slice(77) as Int32Array);
    expect(row1.slice(0, 4)).toEqual([S, 320, 1258, E]);
    expect(row1.slice(4).every((id) => id === 0)).toBe(true);
    const mask1 = Array.from(attentionMask.slice(77) as Int32Array);
    expect(mask1.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('writes int64 batches as BigInt64Array', () => {
    const { ids, attentionMask } = tok.batch(['car'], 'int64');
    expect(ids).toBeInstanceOf(BigInt64Array);
    expect(Array.from(ids.slice(0, 4) as BigInt64Array)).toEqual([BigInt(S), 1615n, BigInt(E), 0n]);
    expect(Array.from(attentionMask.slice(0, 4) as BigInt64Array)).toEqual([1n, 1n, 1n, 0n]);
  });

  it('honours a custom context length and names a missing file', async () => {
    const short = await loadClipTokenizer({ contextLength: 5 });
    const { ids } = short.batch(['a car with a dent'], 'int32');
    expect(Array.from(ids as Int32Array)).toEqual([S, 320, 1615, 593, E]);
    await expect(loadClipTokenizer({ vocab: '/nonexistent/vocab.json' })).rejects.toThrow('/nonexistent/vocab.json');
  });
});
