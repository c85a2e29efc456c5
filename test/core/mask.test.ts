import { maskName, maskPhone } from '../../core/mask';

describe('masking personal information', () => {
  it('masks phones keeping the first three and last four digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('masks names keeping the first character (and the last for long names)', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('次仁卓玛')).toBe('次**玛');
    expect(maskName('王')).toBe('王');
  });
});
