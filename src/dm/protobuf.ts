/**
 * A minimal protocol-buffers encoder and decoder: just what writing and reading an ONNX model
 * needs (varints, length-delimited fields, fixed32/fixed64, packed floats). Wire format:
 * https://protobuf.dev/programming-guides/encoding/.
 */

/** Wire types. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Builds one message; nested messages are built first and added with `message`. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  private scratch: number[] = [];

  private pushVarint(value: number | bigint): void {
    const bytes = this.scratch;
    bytes.length = 0;
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new RangeError(`Varint must be a safe integer, got ${value}.`);
      if (value < 0) {
        this.pushVarint(BigInt.asUintN(64, BigInt(value)));
        return;
      }
      let v = value;
      while (v >= 0x80) {
        bytes.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      bytes.push(v);
    } else {
      let v = BigInt.asUintN(64, value);
      while (v >= 0x80n) {
        bytes.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      bytes.push(Number(v));
    }
    this.pushBytes(Uint8Array.from(bytes));
  }

  private pushBytes(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private tag(field: number, wire: number): void {
    this.pushVarint(field * 8 + wire);
  }

  /** A varint field (int32, int64, uint64, enum, bool). */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.pushVarint(value);
    return this;
  }

  /** A length-delimited bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH);
    this.pushVarint(value.length);
    this.pushBytes(value);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message field. */
  message(field: number, value: ProtoWriter | Uint8Array): this {
    return this.bytes(field, value instanceof ProtoWriter ? value.finish() : value);
  }

  /** A single float (fixed32) field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.pushBytes(bytes);
    return this;
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
    return this.bytes(field, bytes);
  }

  /** A packed repeated varint field. */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const value of values) inner.pushVarint(value);
    return this.bytes(field, inner.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/** Thrown when bytes are not a well-formed protocol-buffers message. */
export class ProtoDecodeError extends Error {}

/** One decoded field. `value` is a number (varint, fixed32/64 raw bits as number) or the bytes. */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint value (as a bigint when it does not fit a safe integer). */
  varint?: number | bigint;
  /** Bytes of a length-delimited field (a view into the input). */
  bytes?: Uint8Array;
  /** Offset of a fixed32/fixed64 value in the input. */
  offset?: number;
}

/** Reads the fields of one message in order. Throws `ProtoDecodeError` on malformed input. */
export function* readFields(buffer: Uint8Array, start = 0, end = buffer.length): Generator<ProtoField> {
  let pos = start;
  const readVarint = (): number | bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new ProtoDecodeError("Truncated varint.");
      const byte = buffer[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        return result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result;
      }
      shift += 7n;
    }
    throw new ProtoDecodeError("Varint longer than 10 bytes.");
  };
  while (pos < end) {
    const key = readVarint();
    if (typeof key !== "number") throw new ProtoDecodeError("Field key too large.");
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field < 1) throw new ProtoDecodeError("Field number 0 is not allowed.");
    switch (wire) {
      case WIRE_VARINT:
        yield { field, wire, varint: readVarint() };
        break;
      case WIRE_FIXED64:
        if (pos + 8 > end) throw new ProtoDecodeError("Truncated fixed64.");
        yield { field, wire, offset: pos };
        pos += 8;
        break;
      case WIRE_LENGTH: {
        const length = readVarint();
        if (typeof length !== "number" || pos + length > end) {
          throw new ProtoDecodeError("Length-delimited field runs past the end of the message.");
        }
        yield { field, wire, bytes: buffer.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      case WIRE_FIXED32:
        if (pos + 4 > end) throw new ProtoDecodeError("Truncated fixed32.");
        yield { field, wire, offset: pos };
        pos += 4;
        break;
      default:
        throw new ProtoDecodeError(`Unsupported wire type ${wire}.`);
    }
  }
}

/** Decodes a UTF-8 string field, throwing `ProtoDecodeError` on invalid UTF-8. */
export function decodeString(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new ProtoDecodeError("Invalid UTF-8 in a string field.");
  }
}

/** Decodes a packed repeated varint field. */
export function decodePackedVarints(bytes: Uint8Array): (number | bigint)[] {
  const values: (number | bigint)[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    let done = false;
    for (let i = 0; i < 10 && pos < bytes.length; i++) {
      const byte = bytes[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        done = true;
        break;
      }
    }
    if (!done) throw new ProtoDecodeError("Truncated packed varint.");
    values.push(result <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(result) : result);
  }
  return values;
}
