import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-orders-page',
  template: '<h1 class="page-title">Orders</h1>',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OrdersPage {}
