/**
 * Typed arrays inside plain data, made JSON-safe for the static report: each becomes
 * `{ $typed: 'Float32Array', base64 }` and back. Base64 differs between Node and the browser, so
 * the caller passes its own.
 */
const CONSTRUCTORS = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof CONSTRUCTORS;

export interface EncodedTypedArray {
  $typed: TypedName;
  base64: string;
}

function typedName(value: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const name = value.constructor.name as TypedName;
  return name in CONSTRUCTORS ? name : undefined;
}

/**
 * `T` made JSON-safe by {@link encodeTypedArrays}. The brand only remembers what was encoded, so
 * that {@link decodeTypedArrays} gives the same type back without a cast at each call site.
 */
export type EncodedJson<T> = { readonly __encodedFrom?: T };

export function encodeTypedArrays<T>(
  value: T,
  toBase64: (bytes: Uint8Array) => string,
): EncodedJson<T> {
  return encodeValue(value, toBase64) as EncodedJson<T>;
}

export function decodeTypedArrays<T>(
  value: EncodedJson<T>,
  fromBase64: (text: string) => Uint8Array,
): T {
  return decodeValue(value, fromBase64) as T;
}

function encodeValue(value: unknown, toBase64: (bytes: Uint8Array) => string): unknown {
  const name = typedName(value);
  if (name) {
    const view = value as ArrayBufferView;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return { $typed: name, base64: toBase64(bytes) } satisfies EncodedTypedArray;
  }
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, toBase64));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(v, toBase64)]));
  }
  return value;
}

function decodeValue(value: unknown, fromBase64: (text: string) => Uint8Array): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, fromBase64));
  if (value && typeof value === 'object') {
    const encoded = value as Partial<EncodedTypedArray>;
    if (typeof encoded.$typed === 'string' && typeof encoded.base64 === 'string') {
      const bytes = fromBase64(encoded.base64);
      const Typed = CONSTRUCTORS[encoded.$typed];
      // A fresh copy: the bytes may not be aligned for the element size.
      const aligned = new Uint8Array(bytes).buffer;
      return new Typed(aligned, 0, bytes.byteLength / Typed.BYTES_PER_ELEMENT);
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, decodeValue(v, fromBase64)]),
    );
  }
  return value;
}
