import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, registerDecorator, ValidateIf, ValidateNested, ValidationOptions } from 'class-validator';
import {
  ChannelSwitches,
  CLOCK_TIME_PATTERN,
  type Language,
  LANGUAGES,
  NOTIFICATION_TYPES,
  NotificationPreferenceDto,
  NotificationSettingsDto,
  NotificationType,
  PHONE_PATTERN,
  PREFERENCE_CHANNELS,
  PreferenceChange,
  QuietHours,
  UpdateNotificationSettingsRequest,
  UpdatePreferencesRequest,
} from '@clinic/contracts';
import { LANGUAGE_MESSAGE, PHONE_MESSAGE } from '../users/user.dto';

const CLOCK_MESSAGE = 'must be a time of day as HH:MM (24 h), e.g. 22:00';

// ---- requests ----------------------------------------------------------------------------

export class UpdatePreferencesDto implements UpdatePreferencesRequest {
  @ApiProperty({ type: () => [PreferenceChangeView], description: 'The types to change; the others keep their setting' })
  @IsPreferenceChanges()
  preferences: PreferenceChange[];
}

export class QuietHoursView implements QuietHours {
  @ApiProperty({ example: '22:00', pattern: CLOCK_TIME_PATTERN.source })
  @IsString()
  @Matches(CLOCK_TIME_PATTERN, { message: `quietHours.start ${CLOCK_MESSAGE}` })
  start: string;

  @ApiProperty({ example: '07:00', pattern: CLOCK_TIME_PATTERN.source, description: 'Before start: the quiet hours run over midnight' })
  @IsString()
  @Matches(CLOCK_TIME_PATTERN, { message: `quietHours.end ${CLOCK_MESSAGE}` })
  end: string;
}

/** Left out, the field keeps its value; null clears it where the field allows null. */
const unlessAbsent = ValidateIf((_object: object, value: unknown) => value !== undefined);
const unlessAbsentOrNull = ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null);

export class UpdateSettingsDto implements UpdateNotificationSettingsRequest {
  @ApiPropertyOptional({ example: 'Europe/Zurich', description: 'An IANA time zone' })
  @unlessAbsent
  @IsString({ message: 'timeZone must be an IANA time zone such as Europe/Zurich' })
  @MaxLength(64)
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ type: QuietHoursView, nullable: true, description: 'null: no quiet hours' })
  @unlessAbsentOrNull
  @IsObject({ message: 'quietHours must be { start, end } or null' })
  @ValidateNested()
  @Type(() => QuietHoursView)
  quietHours?: QuietHours | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '08:00', pattern: CLOCK_TIME_PATTERN.source, description: 'null: no digest' })
  @unlessAbsentOrNull
  @IsString({ message: `digestTime ${CLOCK_MESSAGE}` })
  @Matches(CLOCK_TIME_PATTERN, { message: `digestTime ${CLOCK_MESSAGE}` })
  digestTime?: string | null;

  @ApiPropertyOptional()
  @unlessAbsent
  @IsBoolean({ message: 'hideDetails must be true or false' })
  hideDetails?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+41791234567', description: 'null removes it' })
  @unlessAbsentOrNull
  @IsString({ message: PHONE_MESSAGE })
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  phone?: string | null;

  @ApiPropertyOptional({ enum: LANGUAGES, description: 'The notifications the server writes for the user and the mail it sends them follow it' })
  @unlessAbsent
  @IsIn(LANGUAGES, { message: LANGUAGE_MESSAGE })
  language?: Language;
}

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class ChannelSwitchesView implements ChannelSwitches {
  @ApiProperty({ description: 'Toast in the app; CRITICAL notifications show whatever this says' }) inApp: boolean;
  @ApiProperty({ description: 'Desktop notification (needs inApp)' }) desktop: boolean;
  @ApiProperty({ description: 'Sound (needs inApp; not in quiet hours unless CRITICAL)' }) sound: boolean;
  @ApiProperty({ description: 'Email, when the priority calls for one (not in quiet hours unless CRITICAL)' }) email: boolean;
  @ApiProperty({ description: 'SMS, when the priority calls for one (not in quiet hours unless CRITICAL)' }) sms: boolean;
}

export class PreferenceView implements NotificationPreferenceDto {
  @ApiProperty({ enum: NOTIFICATION_TYPES }) type: NotificationType;
  @ApiProperty({ description: 'Same as !channels.inApp' }) muted: boolean;
  @ApiProperty({ type: ChannelSwitchesView }) channels: ChannelSwitches;
}

class PartialChannelSwitchesView implements Partial<ChannelSwitches> {
  @ApiPropertyOptional() inApp?: boolean;
  @ApiPropertyOptional() desktop?: boolean;
  @ApiPropertyOptional() sound?: boolean;
  @ApiPropertyOptional() email?: boolean;
  @ApiPropertyOptional() sms?: boolean;
}

export class PreferenceChangeView implements PreferenceChange {
  @ApiProperty({ enum: NOTIFICATION_TYPES }) type: NotificationType;
  @ApiPropertyOptional({ description: 'true is channels.inApp: false' }) muted?: boolean;
  @ApiPropertyOptional({ type: PartialChannelSwitchesView, description: 'The channels to change; the others keep their value' })
  channels?: Partial<ChannelSwitches>;
}

export class SettingsView implements NotificationSettingsDto {
  @ApiProperty({ example: 'Europe/Zurich' }) timeZone: string;
  @ApiProperty({ type: QuietHoursView, nullable: true }) quietHours: QuietHours | null;
  @ApiProperty({ type: String, nullable: true, example: '08:00' }) digestTime: string | null;
  @ApiProperty() hideDetails: boolean;
  @ApiProperty({ type: String, nullable: true, example: '+41791234567' }) phone: string | null;
  @ApiProperty({ enum: LANGUAGES, description: 'The language of notifications the server writes and of mail' }) language: Language;
}

// ---- validators --------------------------------------------------------------------------

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'timeZone must be an IANA time zone such as Europe/Zurich', ...options },
      validator: { validate: isTimeZone },
    });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Hand-checked rather than nested DTOs: the shape is small and the message can say exactly what
 * is wrong with it (each type at most once; `muted` and `channels.inApp` not contradicting).
 */
function isPreferenceChangeList(value: unknown): value is PreferenceChange[] {
  if (!Array.isArray(value) || value.length > NOTIFICATION_TYPES.length) return false;
  const types = new Set<unknown>();
  for (const item of value) {
    if (!isRecord(item) || !(NOTIFICATION_TYPES as readonly unknown[]).includes(item.type) || types.has(item.type)) return false;
    types.add(item.type);
    if (Object.keys(item).some((key) => !['type', 'muted', 'channels'].includes(key))) return false;
    if (item.muted === undefined && item.channels === undefined) return false;
    if (item.muted !== undefined && typeof item.muted !== 'boolean') return false;
    if (item.channels !== undefined) {
      const channels = item.channels;
      if (!isRecord(channels) || Object.keys(channels).length === 0) return false;
      if (Object.entries(channels).some(([channel, on]) => !(PREFERENCE_CHANNELS as readonly string[]).includes(channel) || typeof on !== 'boolean')) return false;
      if (item.muted !== undefined && channels.inApp !== undefined && channels.inApp === item.muted) return false;
    }
  }
  return true;
}

function IsPreferenceChanges(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPreferenceChanges',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message:
          `preferences must be a list of { type, muted?, channels? } with each type (${NOTIFICATION_TYPES.join(', ')}) at most once, ` +
          `channels naming some of ${PREFERENCE_CHANNELS.join(', ')} with true or false, and muted not contradicting channels.inApp`,
        ...options,
      },
      validator: { validate: isPreferenceChangeList },
    });
}
