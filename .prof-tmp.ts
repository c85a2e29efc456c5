import { assignGridworkers } from './core/assign';
import { generateDistrict, CITY_DISTRICT } from './bench/assign-district';
const spec = { ...CITY_DISTRICT, seed: 11, grids: 1413, gridworkers: 667, groupLeaders: 178, households: [100, 466] as [number, number], sideM: 16000 };
const d = generateDistrict(spec);
assignGridworkers(d);
const t = Date.now();
const p = assignGridworkers(d);
console.log('ms', Date.now() - t, p.loadMaxMin, p.specialLoadMaxMin);
