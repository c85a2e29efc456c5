import { update } from 'mingo/updater';
const t = (d: any, u: any) => { const c = update(d, u, undefined, undefined, { cloneMode: 'none' }); console.log(JSON.stringify(u), '->', JSON.stringify(d), c); };
t({ a: { 'x y': {} } }, { $set: { 'a.x y': { a: [] } } });
t({ a: { xy: {} } }, { $set: { 'a.xy': { a: [] } } });
t({ a: { xy: {} } }, { $set: { 'a.xy': { a: 1 } } });
t({ a: { xy: {b:1} } }, { $set: { 'a.xy': { a: [] } } });
t({ a: {} }, { $set: { 'a': { a: [] } } });
t({ a: {} }, { $set: { 'a': { a: [], b: 1 } } });
t({ a: [] }, { $set: { 'a': [[]] } });
