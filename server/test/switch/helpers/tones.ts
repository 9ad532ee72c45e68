// Distinct tones per party, to tell who hears whom: each SIPp endpoint streams its own tone
// (rtp_stream of an A-law WAV written at test time), the switch records a leg in stereo
// (RECORD_STEREO: left what the endpoint sent, right what the switch sent it), and the Goertzel
// filter below measures each tone's amplitude in a stretch of a recording.
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

/** A 44-byte RIFF/WAVE header for 8 kHz mono: PCM 16-bit (format 1) or A-law 8-bit (format 6). */
export function wavHeader(format: 1 | 6, dataBytes: number): Buffer {
  const bits = format === 1 ? 16 : 8;
  const buf = Buffer.alloc(44);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(format, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE((8000 * bits) / 8, 28);
  buf.writeUInt16LE(bits / 8, 32);
  buf.writeUInt16LE(bits, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(dataBytes, 40);
  return buf;
}

/** An 8 kHz A-law WAV (format 6) of a tone, for SIPp's rtp_stream with payload type 8 (PCMA). */
export function alawToneWav(ms: number, hz: number): Buffer {
  const n = Math.round((8000 * ms) / 1000);
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = alaw(Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000)));
  return Buffer.concat([wavHeader(6, n), data]);
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

/** A tone at or above this amplitude (of 6000 sent) is heard; those not mixed in measure under 100. */
export const HEARD_LEVEL = 400;

/** Amplitude of one frequency in samples [from, to) (Goertzel), in 16-bit linear units. */
export function toneLevel(x: Int16Array, rate: number, hz: number, fromSec: number, toSec: number): number {
  const a = Math.max(0, Math.floor(fromSec * rate));
  const b = Math.min(x.length, Math.floor(toSec * rate));
  if (b - a < 160) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = a; i < b; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return Math.round((2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2))) / (b - a));
}

/**
 * The real switch's view of who hears whom: every party's leg is recorded in stereo for `ms`
 * (started now, so the recorder's media bug sits after an eavesdrop bug already on the leg and
 * sees the mixed frames the endpoint is sent), and each other party's tone is measured in what the
 * switch sent that endpoint.
 */
export async function recordedHearing(
  sw: { api(cmd: string): Promise<string> },
  dir: string,
  parties: Readonly<Record<string, { uuid: string; hz: number }>>,
  ms: number,
): Promise<{ heard: Record<string, string[]>; levels: Record<string, Record<string, number>> }> {
  const names = Object.keys(parties);
  const stamp = Date.now();
  const file = (n: string) => `${dir}/${n}-${stamp}.wav`;
  for (const n of names) {
    await sw.api(`uuid_setvar ${parties[n]!.uuid} RECORD_STEREO true`);
    await sw.api(`uuid_record ${parties[n]!.uuid} start ${file(n)}`);
  }
  await new Promise((r) => setTimeout(r, ms));
  for (const n of names) await sw.api(`uuid_record ${parties[n]!.uuid} stop ${file(n)}`).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  const heard: Record<string, string[]> = {};
  const levels: Record<string, Record<string, number>> = {};
  for (const n of names) {
    const wav = await readWav(file(n));
    const end = wav.right.length / wav.rate;
    // The first 300 ms are left out: a mode change just made settles within a few frames.
    levels[n] = Object.fromEntries(names.filter((o) => o !== n).map((o) => [o, toneLevel(wav.right, wav.rate, parties[o]!.hz, 0.3, end - 0.1)]));
    heard[n] = names.filter((o) => o !== n && levels[n]![o]! >= HEARD_LEVEL);
  }
  return { heard, levels };
}
