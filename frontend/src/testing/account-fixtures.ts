import type { AccountDto, AccountPageDto, TeamDetailDto, TeamDto, UserDto } from '@clinic/contracts';

let nextId = 0;

export function account(overrides: Partial<AccountDto> = {}): AccountDto {
  const id = overrides.id ?? `u-${++nextId}`;
  return {
    id,
    email: `${id}@clinic.test`,
    name: `Person ${id}`,
    role: 'STAFF',
    active: true,
    language: 'en',
    createdAt: '2025-01-01T00:00:00.000Z',
    phone: null,
    teams: [],
    ...overrides,
  };
}

export function accountPage(items: AccountDto[], nextCursor: string | null = null): AccountPageDto {
  return { items, nextCursor };
}

export function team(overrides: Partial<TeamDto> = {}): TeamDto {
  const id = overrides.id ?? `t-${++nextId}`;
  return { id, name: `Team ${id}`, createdAt: '2025-01-01T00:00:00.000Z', memberCount: 0, isMember: false, ...overrides };
}

export function teamDetail(overrides: Partial<TeamDetailDto> = {}, members: UserDto[] = overrides.members ?? []): TeamDetailDto {
  return { ...team(overrides), ...overrides, members, memberCount: members.filter((member) => member.active).length };
}

/** Sets a text field or select as typing or picking does, so reactive forms see it. */
export function setValue(element: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): void {
  element.value = value;
  element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input'));
}

/** The button in `scope` whose visible text (without text hidden for screen readers) starts with `label`. */
export function buttonNamed(scope: ParentNode, label: string): HTMLButtonElement | undefined {
  return [...scope.querySelectorAll<HTMLButtonElement>('button')].find((button) => visibleText(button).startsWith(label));
}

function visibleText(element: Element): string {
  const copy = element.cloneNode(true) as Element;
  copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove());
  return copy.textContent?.trim() ?? '';
}
