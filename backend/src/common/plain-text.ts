import { registerDecorator, ValidationOptions } from 'class-validator';

/** C0 control characters and DEL, except tab; line breaks are checked separately. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LINE_BREAK = /[\n\r]/;
/** Half of a surrogate pair without its other half: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface PlainTextOptions {
  /** Line breaks allowed (messages, descriptions); titles and names stay on one line. */
  multiline?: boolean;
}

/**
 * Text a person wrote: well-formed Unicode (no lone surrogates, which would be stored as U+FFFD),
 * no control characters (PostgreSQL refuses NUL outright, and the others only hide text), and
 * not blank. Combine with @Length for the size.
 */
export function IsPlainText(options: PlainTextOptions = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  const lines = options.multiline ? '' : ' on one line';
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainText',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property must be non-blank text${lines} without control characters`, ...validationOptions },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          !LONE_SURROGATE.test(value) &&
          /\S/.test(value) &&
          !CONTROL.test(value) &&
          (options.multiline === true || !LINE_BREAK.test(value)),
      },
    });
}
