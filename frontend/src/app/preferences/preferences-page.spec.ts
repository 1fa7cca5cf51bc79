import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { NotificationSettingsDto } from '@clinic/contracts';

import { setValue } from '../../testing/account-fixtures';
import { NOTIFICATIONS_URL } from '../core/api-paths';
import { PageReload } from '../core/page-reload';
import { PreferencesPage } from './preferences-page';

const SETTINGS_URL = `${NOTIFICATIONS_URL}/settings`;

function settings(overrides: Partial<NotificationSettingsDto> = {}): NotificationSettingsDto {
  return { timeZone: 'UTC', quietHours: null, digestTime: null, hideDetails: true, phone: null, language: 'en', ...overrides };
}

describe('PreferencesPage: language', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<PreferencesPage>;
  const reload = vi.fn();

  beforeEach(async () => {
    reload.mockClear();
    localStorage.clear();
    TestBed.configureTestingModule({
      imports: [PreferencesPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), { provide: PageReload, useValue: { reload } }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(PreferencesPage);
    await fixture.whenStable();
    http.expectOne(`${NOTIFICATIONS_URL}/preferences`).flush([]);
    http.expectOne({ method: 'GET', url: SETTINGS_URL }).flush(settings());
    await fixture.whenStable();
  });

  afterEach(() => {
    http.verify();
    localStorage.clear();
  });

  const page = () => fixture.nativeElement as HTMLElement;
  const picker = () => page().querySelector<HTMLSelectElement>('[data-testid="language"]')!;
  const status = () => page().querySelector('[data-testid="settings-status"]');

  it('lists each language named in itself and shows the current one', () => {
    const options = [...picker().options].map((option) => [option.value, option.lang, option.textContent?.trim()]);
    expect(options).toEqual([
      ['en', 'en', 'English'],
      ['es', 'es', 'Español'],
    ]);
    expect(picker().value).toBe('en');
    expect(page().querySelector('label[for="language"]')?.textContent?.trim()).toBe('Language');
  });

  it('saves the chosen language, says it switches, and reloads into it when it differs from the page’s', async () => {
    setValue(picker(), 'es');
    await fixture.whenStable();
    const save = http.expectOne({ method: 'PUT', url: SETTINGS_URL });
    expect(save.request.body).toEqual({ language: 'es' });
    expect(picker().disabled).toBe(true);
    save.flush(settings({ language: 'es' }));
    await fixture.whenStable();

    expect(status()?.textContent?.trim()).toBe('Switching to Español…');
    expect(localStorage.getItem('clinic.language')).toBe('es');
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('does not reload over unsaved settings: the language is saved and shows from the next load', async () => {
    const timeZone = page().querySelector<HTMLSelectElement>('[data-testid="time-zone"]');
    expect(timeZone).not.toBeNull();
    timeZone!.value = timeZone!.options[timeZone!.options.length - 1].value;
    timeZone!.dispatchEvent(new Event('change'));
    setValue(picker(), 'es');
    http.expectOne({ method: 'PUT', url: SETTINGS_URL }).flush(settings({ language: 'es' }));
    await fixture.whenStable();

    expect(reload).not.toHaveBeenCalled();
    expect(localStorage.getItem('clinic.language')).toBe('es');
    expect(status()?.textContent).toContain('when the page next loads; your unsaved settings stay here');
    expect(picker().disabled).toBe(false);
  });

  it('does not reload when saving fails, says why, and keeps the old choice', async () => {
    setValue(picker(), 'es');
    http.expectOne({ method: 'PUT', url: SETTINGS_URL }).flush({ message: 'Unavailable' }, { status: 503, statusText: 'Service Unavailable' });
    await fixture.whenStable();

    expect(reload).not.toHaveBeenCalled();
    expect(localStorage.getItem('clinic.language')).toBeNull();
    expect(status()?.className).toBe('alert');
    expect(status()?.textContent).toContain('Could not save your language');
    expect(picker().value).toBe('en');
    expect(picker().disabled).toBe(false);
  });
});
