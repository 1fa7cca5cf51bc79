import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { NotificationPreferenceDto, NotificationSettingsDto } from '@clinic/contracts';
import { CurrentUser } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { PreferenceView, SettingsView, UpdatePreferencesDto, UpdateSettingsDto } from './preference.dto';
import { PreferencesService } from './preferences.service';

@ApiTags('notifications')
@Controller('notifications')
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get('preferences')
  @ApiOperation({ summary: 'Per type, which channels may reach you: in app, desktop, sound, email, SMS' })
  @ApiOkResponse({ type: [PreferenceView] })
  list(@CurrentUser() user: AuthUser): Promise<NotificationPreferenceDto[]> {
    return this.preferences.preferences(user.id);
  }

  @Put('preferences')
  @ApiOperation({ summary: "Switch channels per type; CRITICAL notifications always show in the app, whatever the type's in-app switch" })
  @ApiOkResponse({ type: [PreferenceView] })
  update(@CurrentUser() user: AuthUser, @Body() body: UpdatePreferencesDto): Promise<NotificationPreferenceDto[]> {
    return this.preferences.updatePreferences(user.id, body.preferences);
  }

  @Get('settings')
  @ApiOperation({ summary: 'Your time zone, quiet hours, daily digest, desktop privacy and phone number' })
  @ApiOkResponse({ type: SettingsView })
  settings(@CurrentUser() user: AuthUser): Promise<NotificationSettingsDto> {
    return this.preferences.settings(user.id);
  }

  @Put('settings')
  @ApiOperation({ summary: 'Change the fields given (null clears quietHours, digestTime, phone); a phone change is audited' })
  @ApiOkResponse({ type: SettingsView })
  updateSettings(@CurrentUser() user: AuthUser, @Body() body: UpdateSettingsDto): Promise<NotificationSettingsDto> {
    return this.preferences.updateSettings(user.id, body);
  }
}
