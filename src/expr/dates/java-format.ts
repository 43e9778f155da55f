/**
 * Java DateTimeFormatter patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`) and Kestra's named formats
 * (`iso`, `iso_sec`, `sql`, `iso_date_time`, …), formatted in English.
 */
import { ExpressionError } from '../../errors.js';
import { toLocal, zoneName, type Instant, type LocalFields } from './zone.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Kestra's named formats that are plain patterns. */
const NAMED_PATTERNS: Record<string, string> = {
  iso: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
  iso_sec: "yyyy-MM-dd'T'HH:mm:ssXXX",
  sql: 'yyyy-MM-dd HH:mm:ss.SSSSSS',
  sql_seq: 'yyyy-MM-dd HH:mm:ss',
  iso_local_date: 'yyyy-MM-dd',
  iso_date: 'yyyy-MM-ddXXX',
  iso_ordinal_date: 'yyyy-DDDXXX',
  iso_week_date: "YYYY-'W'ww-eXXX",
  rfc_1123_date_time: 'EEE, d MMM yyyy HH:mm:ss',
};

const pad = (n: number, width: number): string => (n < 0 ? `-${String(-n).padStart(width, '0')}` : String(n).padStart(width, '0'));

/** Java's ISO_LOCAL_TIME: `HH:mm:ss` plus the fraction without trailing zeros. */
function isoTime(f: LocalFields, fractionGroups: boolean): string {
  let frac = f.nano ? String(f.nano).padStart(9, '0') : '';
  if (fractionGroups) frac = frac.replace(/(000)+$/, '');
  else frac = frac.replace(/0+$/, '');
  return `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${frac ? `.${frac}` : ''}`;
}

function offset(sec: number, style: 'X' | 'XX' | 'XXX' | 'x' | 'xx' | 'xxx' | 'O'): string {
  if (sec === 0 && style.startsWith('X')) return 'Z';
  const sign = sec < 0 ? '-' : '+';
  const abs = Math.abs(sec);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = pad(Math.floor((abs % 3600) / 60), 2);
  if (style === 'O') return sec === 0 ? 'GMT' : `GMT${sign}${Number(h)}${m === '00' ? '' : `:${m}`}`;
  if (style === 'X' || style === 'x') return `${sign}${h}${m === '00' ? '' : m}`;
  if (style === 'XX' || style === 'xx') return `${sign}${h}${m}`;
  return `${sign}${h}:${m}`;
}

function dayOfYear(f: LocalFields): number {
  return (Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000 + 1;
}

/** ISO week-based year and week number. */
function isoWeek(f: LocalFields): [number, number] {
  const date = Date.UTC(f.year, f.month - 1, f.day + 4 - f.dayOfWeek);
  const year = new Date(date).getUTCFullYear();
  return [year, Math.floor((date - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1];
}

function field(letter: string, count: number, f: LocalFields, instant: Instant): string {
  switch (letter) {
    case 'G': return f.year > 0 ? 'AD' : 'BC';
    case 'y':
    case 'u': return count === 2 ? pad(((f.year % 100) + 100) % 100, 2) : pad(f.year, count);
    case 'Y': return count === 2 ? pad(isoWeek(f)[0] % 100, 2) : pad(isoWeek(f)[0], count);
    case 'w': return pad(isoWeek(f)[1], count);
    case 'Q':
    case 'q': return String(Math.ceil(f.month / 3));
    case 'M':
    case 'L': return count >= 4 ? MONTHS[f.month - 1]! : count === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : pad(f.month, count);
    case 'd': return pad(f.day, count);
    case 'D': return pad(dayOfYear(f), count);
    case 'E': return count >= 4 ? DAYS[f.dayOfWeek - 1]! : DAYS[f.dayOfWeek - 1]!.slice(0, 3);
    case 'e':
    case 'c': return count >= 4 ? DAYS[f.dayOfWeek - 1]! : count === 3 ? DAYS[f.dayOfWeek - 1]!.slice(0, 3) : String(f.dayOfWeek);
    case 'a': return f.hour < 12 ? 'AM' : 'PM';
    case 'H': return pad(f.hour, count);
    case 'k': return pad(f.hour === 0 ? 24 : f.hour, count);
    case 'K': return pad(f.hour % 12, count);
    case 'h': return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case 'm': return pad(f.minute, count);
    case 's': return pad(f.second, count);
    case 'S': return String(f.nano).padStart(9, '0').slice(0, count).padEnd(count, '0');
    case 'n': return pad(f.nano, count);
    case 'A': return pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + Math.floor(f.nano / 1e6), count);
    case 'X': return offset(f.offsetSec, count === 1 ? 'X' : count === 2 ? 'XX' : 'XXX');
    case 'x': return offset(f.offsetSec, count === 1 ? 'x' : count === 2 ? 'xx' : 'xxx');
    case 'Z': return count <= 3 ? offset(f.offsetSec, 'xx') : count === 4 ? (f.offsetSec === 0 ? 'GMT' : `GMT${offset(f.offsetSec, 'xxx')}`) : offset(f.offsetSec, 'XXX');
    case 'O': return offset(f.offsetSec, 'O');
    case 'z': return zoneName(instant, f.zone, count >= 4 ? 'long' : 'short');
    case 'V': return f.zone;
    default:
      throw new ExpressionError('TROUPE_EXPR_EVALUATION', `Unknown pattern letter '${letter}' in date format`);
  }
}

/** Formats fields with a Java pattern. */
export function formatPattern(pattern: string, f: LocalFields, instant: Instant): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      // quoted literal; '' is a quote, inside or outside a literal
      i++;
      if (pattern[i] === "'") {
        out += "'";
        i++;
        continue;
      }
      while (i < pattern.length) {
        if (pattern[i] === "'") {
          if (pattern[i + 1] !== "'") break;
          i++;
        }
        out += pattern[i];
        i++;
      }
      i++;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      out += field(c, j - i, f, instant);
      i = j;
    } else if (c === '[' || c === ']') {
      i++; // optional sections: always printed
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Formats an instant with a named format or a Java pattern, in `zone`. */
export function formatDate(instant: Instant, format: string, zone: string): string {
  const f = toLocal(instant, zone);
  const named = format.toLowerCase();
  if (Object.hasOwn(NAMED_PATTERNS, named)) {
    const text = formatPattern(NAMED_PATTERNS[named]!, f, instant);
    return named === 'rfc_1123_date_time' ? `${text.replace(/ 0(\d) /, ' $1 ')} ${f.offsetSec === 0 ? 'GMT' : offset(f.offsetSec, 'xx')}` : text;
  }
  const date = `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}`;
  const zoneId = /^[+-]|^Z$/.test(zone) ? '' : `[${zone}]`;
  switch (named) {
    case 'iso_local_time': return isoTime(f, false);
    case 'iso_time':
    case 'iso_offset_time': return isoTime(f, false) + offset(f.offsetSec, 'XXX');
    case 'iso_local_date_time': return `${date}T${isoTime(f, false)}`;
    case 'iso_offset_date_time': return `${date}T${isoTime(f, false)}${offset(f.offsetSec, 'XXX')}`;
    case 'iso_date_time':
    case 'iso_zoned_date_time': return `${date}T${isoTime(f, false)}${offset(f.offsetSec, 'XXX')}${zoneId}`;
    case 'iso_instant': {
      const u = toLocal(instant, 'UTC');
      return `${pad(u.year, 4)}-${pad(u.month, 2)}-${pad(u.day, 2)}T${isoTime(u, true)}Z`;
    }
    case 'full':
    case 'long':
    case 'medium':
    case 'short':
      return styled(instant, zone, named);
    default:
      return formatPattern(format, f, instant);
  }
}

function styled(instant: Instant, zone: string, style: 'full' | 'long' | 'medium' | 'short'): string {
  const timeZone = /^[+-]/.test(zone) ? 'UTC' : zone;
  const text = new Intl.DateTimeFormat('en-US', { dateStyle: style, timeStyle: style, timeZone }).format(new Date(instant.sec * 1000));
  return text.replace(/[\u202f\u00a0]/g, ' ');
}
