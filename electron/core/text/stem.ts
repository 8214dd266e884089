/**
 * A light English suffix stripper for inspection vocabulary: plurals, -ed, -ing, -ly and a final silent e, in the
 * spirit of Porter's steps 1 and 5 (its other steps conflate words this domain keeps apart). Lexicon forms and
 * texts go through the same function, so only consistency matters: "dented", "dents", "denting" → "dent";
 * "flaking", "flaked", "flake" → "flak"; "damaged", "damage" → "damag"; "scratches" → "scratch".
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  const singular = stripPlural(word);
  const base = stripVerbal(singular) ?? stripAdverb(singular);
  // A silent e (flake / flaking, damage / damaged), but not a long ee (free, degree).
  return base.length > 3 && base.endsWith('e') && !base.endsWith('ee') ? base.slice(0, -1) : base;
}

const VOWEL = /[aeiouy]/;
/** A consonant a short verb doubles before -ed/-ing (chipped → chip); never f, l, s, z (scuffed → scuff). */
const DOUBLED = /([bdgmnprt])\1$/;

function stripPlural(w: string): string {
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ch|sh|ss|x|z)es$/.test(w)) return w.slice(0, -2);
  // -ss (glass), -us (Latin), -is (axis, chassis) are not plurals.
  if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

/** The word without -ed / -ing, or null when it has neither or would keep no vowel ("red", "ring"). */
function stripVerbal(w: string): string | null {
  const suffix = w.endsWith('ing') ? 3 : w.endsWith('ed') && !w.endsWith('eed') ? 2 : 0;
  if (suffix === 0) return null;
  const base = w.slice(0, -suffix);
  if (base.length < 2 || !VOWEL.test(base)) return null;
  return DOUBLED.test(base) ? base.slice(0, -1) : base;
}

function stripAdverb(w: string): string {
  return w.endsWith('ly') && w.length > 5 ? w.slice(0, -2) : w;
}
