import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { UserDto } from '@clinic/contracts';
import { Observable } from 'rxjs';

/** GET /api/users: every user, for pickers. Admins only. */
@Injectable({ providedIn: 'root' })
export class UsersApi {
  private readonly http = inject(HttpClient);

  list(): Observable<UserDto[]> {
    return this.http.get<UserDto[]>('/api/users');
  }
}
