import type { AuditEntryDto } from '@clinic/contracts';

import { describeDetails, describeTarget } from './audit-details';

const NAMES = new Map([
  ['u-nora', 'Nora Nurse'],
  ['t-lab', 'Lab'],
]);

describe('audit details', () => {
  it('reads a change as from → to, with the names of the teams and people it knows', () => {
    const lines = describeDetails(
      { changes: { name: { from: 'Nora', to: 'Nora Nurse' }, teamIds: { added: ['t-lab'], removed: [] } }, userAgent: 'Firefox' },
      NAMES,
    );

    expect(lines).toEqual([
      { label: 'changes', text: 'name: Nora → Nora Nurse; team ids: added: Lab; removed: none' },
      { label: 'user agent', text: 'Firefox' },
    ]);
  });

  it('names the target, or shortens an id it does not know', () => {
    const entry = (targetType: AuditEntryDto['targetType'], targetId: string | null) => ({ targetType, targetId }) as AuditEntryDto;

    expect(describeTarget(entry('user', 'u-nora'), NAMES)).toBe('User Nora Nurse');
    expect(describeTarget(entry('order', '6b6a39c6-0000-4000-8000-000000000000'), NAMES)).toBe('Order 6b6a39c6…');
    expect(describeTarget(entry('role', 'STAFF'), NAMES)).toBe('Role Staff');
    expect(describeTarget(entry('all', null), NAMES)).toBe('Everyone');
    expect(describeTarget(entry(null, null), NAMES)).toBe('');
  });
});
