import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/** China has one time zone and no daylight saving; cloud functions run in UTC. */
export const CHINA_TZ = 'Asia/Shanghai';

/** ISO 8601 in China time, e.g. `2022-08-20T08:00:00+08:00`. */
export function toChinaIso(at: Date): string {
  return dayjs(at).tz(CHINA_TZ).format('YYYY-MM-DDTHH:mm:ssZ');
}

/** The China calendar day of an instant, `YYYY-MM-DD` (what "today" means to a resident). */
export function chinaDay(at: Date): string {
  return dayjs(at).tz(CHINA_TZ).format('YYYY-MM-DD');
}

/** The instant of a China wall-clock time, e.g. `('2022-08-20', '08:00')`. */
export function chinaWallClock(day: string, hhmm: string): Date {
  return dayjs.tz(`${day} ${hhmm}`, 'YYYY-MM-DD HH:mm', CHINA_TZ).toDate();
}
