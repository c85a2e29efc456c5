import { byNatural, compareRooms, naturalCompare, sortNatural } from '../../core/natural-sort';

const sorted = (labels: string[]) => [...labels].sort(naturalCompare);

describe('naturalCompare', () => {
  it('puts 第2网格 before 第10网格 (text order puts 第10 … 第15 before 第1)', () => {
    const grids = Array.from({ length: 15 }, (_, i) => `第${i + 1}网格`);
    const shuffled = [...grids].sort(); // the plain text order: 第10网格 first
    expect(shuffled[0]).toBe('第10网格');
    expect(sorted(shuffled)).toEqual(grids);
  });

  it('reads Chinese numerals as numbers (第二网格 < 第十网格 < 第十二网格)', () => {
    expect(sorted(['第十二网格', '第十网格', '第二网格', '第一百零五网格'])).toEqual([
      '第二网格',
      '第十网格',
      '第十二网格',
      '第一百零五网格',
    ]);
  });

  it('orders rooms by unit, floor and number (1-101 < 1-801 < 1-1001 < 2-101)', () => {
    expect(sorted(['1-1001', '2-101', '1-801', '1-101', '1-102', '1-1101', '1-1012'])).toEqual([
      '1-101',
      '1-102',
      '1-801',
      '1-1001',
      '1-1012',
      '1-1101',
      '2-101',
    ]);
  });

  it('orders buildings by number, full-width digits included', () => {
    expect(sorted(['10号楼', '2号楼', '１号楼', '1号楼'])).toEqual(['1号楼', '１号楼', '2号楼', '10号楼']);
  });

  it('puts numbers before words and keeps a total, stable order', () => {
    expect(sorted(['东区', '3号楼', '西区'])).toEqual(['3号楼', '东区', '西区']);
    expect(naturalCompare('a', 'a')).toBe(0);
    expect(naturalCompare('1-01', '1-1')).not.toBe(0);
    expect(Math.sign(naturalCompare('1-01', '1-1'))).toBe(-Math.sign(naturalCompare('1-1', '1-01')));
  });
});

describe('compareRooms and helpers', () => {
  it('sorts by building first, then room (2号楼 1-801 before 10号楼 1-101)', () => {
    const rooms = [
      { buildingName: '10号楼', room: '1-101' },
      { buildingName: '2号楼', room: '1-1001' },
      { buildingName: '2号楼', room: '1-801' },
    ];
    expect([...rooms].sort(compareRooms).map((r) => `${r.buildingName} ${r.room}`)).toEqual([
      '2号楼 1-801',
      '2号楼 1-1001',
      '10号楼 1-101',
    ]);
  });

  it('sorts items by a label without changing the input', () => {
    const grids = [{ name: '第10网格' }, { name: '第9网格' }];
    expect(sortNatural(grids, (g) => g.name).map((g) => g.name)).toEqual(['第9网格', '第10网格']);
    expect(grids[0]?.name).toBe('第10网格');
    expect([...grids].sort(byNatural((g) => g.name))[0]?.name).toBe('第9网格');
  });
});
