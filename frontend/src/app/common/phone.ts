import { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import { PHONE_PATTERN } from '@clinic/contracts';

/** A phone number as typed ("+41 79 123 45 67", "+1 (555) 010-9999") without the spacing, as the server stores it. */
export function normalizePhone(typed: string): string {
  return typed.replace(/[\s().-]/g, '');
}

/** Empty, or an E.164 number once its spacing is removed. */
export const phoneValidator: ValidatorFn = (control: AbstractControl<string>): ValidationErrors | null => {
  const phone = normalizePhone(control.value ?? '');
  return phone === '' || PHONE_PATTERN.test(phone) ? null : { phone: true };
};
