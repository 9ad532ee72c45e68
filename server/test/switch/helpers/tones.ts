// Distinct tones per party, to tell who hears whom: each SIPp endpoint streams its own tone
// (rtp_stream of an A-law WAV written at test time), the switch records a leg in stereo
// (RECORD_STEREO: left what the endpoint sent, right what the switch sent it), and the Goertzel
// filter below measures each tone's share in a stretch of a recording.
import { readFile } from 'node:fs/promises';

/** G.711 A-law encode of one 16-bit sample (ITU-T G.711). */
function alaw(sample: number): number {
  const sign = sample >= 0 ? 0xd5 : 0x55;
  let s = Math.min(32635, Math.abs(sample));
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = exp === 0 ? (s >> 4) & 0x0f : (s >> (exp + 3)) & 0x0f;
  s = (exp << 4) | mant;
  return s ^ sign;
}

/** An 8 kHz A-law WAV (format 6) of a tone, for SIPp's rtp_stream with payload type 8 (PCMA). */
export function alawToneWav(ms: number, hz: number): Buffer {
  const n = Math.round((8000 * ms) / 1000);
  const buf = Buffer.alloc(44 + n);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(6, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(8000, 28);
  buf.writeUInt16LE(1, 32);
  buf.writeUInt16LE(8, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n, 40);
  for (let i = 0; i < n; i++) buf[44 + i] = alaw(Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000)));
  return buf;
}

export interface StereoPcm {
  readonly rate: number;
  /** Left: what the endpoint sent; right: what the switch sent the endpoint (uuid_record with RECORD_STEREO). */
  readonly left: Int16Array;
  readonly right: Int16Array;
}

/** A 16-bit PCM WAV as FreeSWITCH writes it (mono is returned as left = right). */
export async function readWav(file: string): Promise<StereoPcm> {
  const b = await readFile(file);
  let off = 12;
  let channels = 1;
  let rate = 8000;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(off + 10);
      rate = b.readUInt32LE(off + 12);
    }
    if (id === 'data') {
      const n = Math.floor(Math.min(size, b.length - off - 8) / 2 / channels);
      const left = new Int16Array(n);
      const right = new Int16Array(n);
      for (let i = 0; i < n; i++) {
        left[i] = b.readInt16LE(off + 8 + i * 2 * channels);
        right[i] = channels > 1 ? b.readInt16LE(off + 8 + i * 4 + 2) : left[i]!;
      }
      return { rate, left, right };
    }
    off += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Power of one frequency in samples [from, to) (Goertzel), relative to the stretch's total power. */
export function toneShare(x: Int16Array, rate: number, hz: number, fromSec: number, toSec: number): number {
  const a = Math.max(0, Math.floor(fromSec * rate));
  const b = Math.min(x.length, Math.floor(toSec * rate));
  if (b - a < 160) return 0;
  const k = (2 * Math.PI * hz) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = a; i < b; i++) {
    const v = x[i]! / 32768;
    total += v * v;
    const s0 = v + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A pure tone filling the stretch gives power = total * N / 2.
  return total > 0 ? power / (total * (b - a) / 2) : 0;
}
