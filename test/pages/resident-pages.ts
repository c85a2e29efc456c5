/** The pages residents use (issue 17): every text comes from the catalogue, in both languages and both modes. */
export const RESIDENT_PAGES = [
  'pages/index/index',
  'pages/join/index',
  'pages/resident/grid/index',
  'pages/resident/household/index',
  'pages/resident/order/index',
  'pages/resident/orders/index',
  'pages/resident/order-detail/index',
  // A relative's 代付 card (issue 19).
  'pages/pay/index',
  'pages/testing/cards/index',
  // Closing the account (issue 14).
  'pages/resident/close/index',
];
