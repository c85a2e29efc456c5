/** Dispatch: the order pool, lists, automatic dispatch and delivery jobs. */
import type { DispatchList, GasLeg, JobStatus, OrderKind, OrderStatus, ShortLine, Unit } from '../entities';
import type { ExportFileView, Page, PageQuery } from './common';
import type { PayBadgeView } from './payment';

/** Filters of the gridworker's order pool. */
export interface PoolQuery extends PageQuery {
  /** Omitted: the caller's first grid. */
  gridId?: string;
  roundId?: string;
  kind?: OrderKind;
  buildingId?: string;
  status?: OrderStatus;
  priority?: boolean;
}

/** An order in the pool (room shown, phone masked). */
export interface PoolOrderView {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  statusText: string;
  roundId: string;
  buildingId: string;
  buildingName: string;
  room: string;
  headMasked: string;
  phoneMasked: string;
  lines: Array<{ itemId: string; name: string; unit: Unit; qty: number }>;
  medicine: string | null;
  /** Urgent medicine (急需): the card shows a warning tag. */
  urgent?: boolean;
  priority: boolean;
  contactless: boolean;
  note: string;
  weightKg: number;
  rejectReason: string | null;
  jobId: string | null;
  shortfall: ShortLine[];
  failReason: string | null;
  createdAt: string;
  /** A gas order's two legs (取空瓶, 送满瓶) and where the swap is; null for other orders. */
  gas: GasSwapView | null;
  /** WeChat Pay or cash/transfer, and whether it is paid (issue 19: only paid WeChat Pay orders are accepted). */
  pay: PayBadgeView;
}

/** One leg of a gas swap as resident and gridworker see it. */
export interface GasLegView {
  leg: GasLeg;
  /** 取空瓶 / 送满瓶. */
  label: string;
  done: boolean;
  /** When it was done, or null. */
  at: string | null;
}

/** A gas order's swap: its legs and its stage in words (`空瓶已取，送站充气中`). */
export interface GasSwapView {
  legs: GasLegView[];
  stageText: string;
}

/** The gridworker's order pool (a page of it) with what its filters can pick from. */
export interface PoolView extends Page<PoolOrderView> {
  gridId: string;
  /** The caller's grids in natural order, each with the orders waiting in it (待接单, 待派单, 未送达). */
  grids: Array<{ id: string; name: string; waiting: number }>;
  rounds: Array<{ id: string; name: string }>;
  buildings: Array<{ id: string; name: string }>;
  counts: Partial<Record<OrderStatus, number>>;
}

/** 采购汇总: totals per item, explicit units. */
export interface PurchaseListView {
  roundId: string;
  roundName: string;
  scope: string;
  orderCount: number;
  /** Which orders are counted, in words (`已接单的订单（不含待接单）`). */
  basis: string;
  /** Orders still waiting to be accepted are counted too. */
  withSubmitted: boolean;
  /** Orders waiting to be accepted that this list leaves out (0 when they are counted). */
  submittedLeftOut: number;
  items: Array<{ itemId: string; name: string; unit: Unit; qty: number; orders: number }>;
  medicine: number;
  gas: number;
}

/** 分拣单: per building, then room; phones masked. */
export interface PackingListView {
  roundId: string;
  roundName: string;
  gridName: string;
  /** Which orders it holds, in words. */
  basis: string;
  buildings: Array<{
    buildingId: string;
    buildingName: string;
    rooms: Array<{
      orderId: string;
      room: string;
      headMasked: string;
      phoneMasked: string;
      priority: boolean;
      contactless: boolean;
      lines: string;
      note: string;
    }>;
  }>;
}

/** A job as lists show it. */
export interface JobCardView {
  id: string;
  title: string;
  status: JobStatus;
  statusText: string;
  buildingNames: string[];
  stopCount: number;
  pendingCount: number;
  weightKg: number;
  priority: boolean;
  medicine: boolean;
  /** The dispatch's explanation as recorded. */
  reason: string;
  /** The explanation in a gridworker's words, one short line (`优先送 · 4户一趟 · 约25分钟送完`). */
  reasonShort: string;
  /** The reasons behind it, shown on tap. */
  reasonDetails: string[];
  volunteerId: string | null;
  volunteerName: string | null;
  mine: boolean;
  pickupBy: string | null;
  pickupShortfall: ShortLine[];
  /** Too many wrong 取货码 at its doors: only a photo, or the gridworker's unlock, completes a stop. */
  codeLocked: boolean;
  /** A round collecting empty gas cylinders (leg 1 of 换气): no pickup, 已取空瓶 at each door. */
  collect?: boolean;
}

/** One stop as the job's volunteer sees it; room/phone only while the job is theirs. */
export interface JobStopView {
  orderId: string;
  floor: number;
  status: OrderStatus;
  statusText: string;
  /** Building and room, or null when the job is not the caller's. */
  address: string | null;
  /** Whole phone for the job's volunteer; null otherwise. */
  phone: string | null;
  headName: string | null;
  lines: Array<{ itemId: string; name: string; unit: Unit; qty: number }>;
  priority: boolean;
  medicine: boolean;
  /** A medicine order: what to buy (to whoever holds the job, and staff); null otherwise. */
  medicineText: string | null;
  /** Needed today (a medicine order marked urgent). */
  urgent: boolean;
  /** The prescription photo, to the volunteer who buys the medicine only. */
  prescriptionFileId: string | null;
  contactless: boolean;
  note: string;
  weightKg: number;
  shortfall: ShortLine[];
  failReason: string | null;
  /** The gas leg this door serves (取空瓶 on a collection round, 送满瓶 otherwise); null: not a gas order. */
  gasLeg?: GasLeg | null;
  /** That leg is done at this door (已取空瓶 / 已送满瓶). */
  legDone?: boolean;
  /** The leg in words (`待取空瓶`, `已取空瓶`, `空瓶未取到，下次再取`, `送满瓶`, `已送满瓶`); '' for other orders. */
  legText?: string;
}

/** A medicine to buy on the way (no stock to count at the pickup point). */
export interface JobPurchaseView {
  orderId: string;
  /** The door it goes to (a floor until the job is the caller's). */
  place: string;
  /** What to buy, as the resident wrote it. */
  what: string;
  /** Where to buy it. */
  where: string;
  urgent: boolean;
  /** The prescription photo, to the volunteer who buys it only. */
  prescriptionFileId: string | null;
}

/** A job with its stops and what to count at pickup. */
export interface JobDetailView extends JobCardView {
  /** Goods to count at the pickup point. */
  totals: Array<{ itemId: string; name: string; unit: Unit; qty: number }>;
  /** Where the goods are collected. */
  pickupPlace: string;
  /** Medicines to buy on the way, each for its door. */
  purchases: JobPurchaseView[];
  stops: JobStopView[];
}

/** A job just picked up: its card and the orders now on their way (the page already shows the doors). */
export interface PickupView {
  job: JobCardView;
  pickedUp: string[];
}

/** What a dispatch run did. */
export interface DispatchRunView {
  jobs: JobCardView[];
  assignedOrders: number;
  openOrders: number;
  /** Orders already taken by another run (idempotent re-run). */
  skipped: number;
  unassigned: Array<{ orderId: string; room: string; reason: string }>;
}

/** The dispatch board: jobs of the grid, on-duty volunteers, shortfalls. */
export interface BoardView {
  gridId: string;
  gridName: string;
  jobs: Array<
    JobCardView & {
      stops: Array<{
        orderId: string;
        room: string;
        status: OrderStatus;
        statusText: string;
        shortfall: ShortLine[];
        failReason: string | null;
        /** Why the dispatch could not place it (an open job's door), in plain Chinese; null otherwise. */
        unplaced?: string | null;
        gasLeg?: GasLeg | null;
      }>;
    }
  >;
  /** On-duty delivery volunteers (names in full for staff, phones masked) and what each carries now. */
  volunteers: Array<{
    id: string;
    name: string;
    phoneMasked: string;
    capacityKg: number;
    /** Jobs taken and not finished. */
    activeJobs: number;
    /** Weight of those jobs, kg. */
    carryingKg: number;
    /** Doors still to visit in those jobs. */
    doors: number;
    /** What they declared they can carry (`徒手10公斤，有小推车`). */
    carryText?: string;
  }>;
  acceptedWaiting: number;
  /** Gas swaps of the grid by stage: empties to collect, being collected, at the station, fulls to return. */
  gas?: { toCollect: number; collecting: number; atStation: number; toReturn: number };
}

/** A door of a collection round: 已取空瓶, or the empty was not there (`missed`: why; it is collected again later). */
export interface CollectEmptyInput {
  jobId: string;
  orderId: string;
  missed?: string;
}

/** Handing over an order at the door: the resident's code, or a photo when nobody answers. */
export interface DeliverInput {
  jobId: string;
  orderId: string;
  code?: string;
  photoFileId?: string;
  /** Counted at the door per item id; omitted items are all there. */
  counts?: Record<string, number>;
}

/** The result of delivering or failing one stop. */
export interface StopResultView {
  orderId: string;
  status: OrderStatus;
  shortfall: ShortLine[];
  jobStatus: JobStatus;
}

/** The volunteer carrying a household's order, as the household may contact them (shown masked). */
export interface CourierView {
  /** A volunteer has the order now (assigned to them, or on the way). */
  assigned: boolean;
  nameMasked: string | null;
  phoneMasked: string | null;
  /** The number to dial from the call button only (never shown); null when no volunteer has the order. */
  phone: string | null;
}

/** The actions of `dispatch`: request and response of each. */
export interface DispatchActions {
  'dispatch.pool': { req: PoolQuery; res: PoolView };
  'dispatch.review': {
    req: { orderIds: string[]; accept: boolean; reason?: string };
    res: { changed: number; skipped: number };
  };
  'dispatch.requeue': { req: { orderId: string }; res: { orderId: string } };
  /** Accepted orders only unless `withSubmitted` (those still 待接单 too). */
  'dispatch.purchaseList': {
    req: { roundId: string; gridId?: string; withSubmitted?: boolean };
    res: PurchaseListView;
  };
  'dispatch.packingList': { req: { roundId: string; gridId: string; withSubmitted?: boolean }; res: PackingListView };
  'dispatch.exportLists': {
    req: { roundId: string; gridId?: string; list: DispatchList; withSubmitted?: boolean };
    res: ExportFileView;
  };
  'dispatch.run': { req: { gridId: string; roundId?: string }; res: DispatchRunView };
  'dispatch.board': { req: { gridId: string }; res: BoardView };
  'dispatch.reassign': {
    req: { jobId: string; volunteerId: string; fromVolunteerId: string | null };
    res: JobCardView;
  };
  'dispatch.openJobs': { req: PageQuery; res: Page<JobCardView> };
  'dispatch.myJobs': { req: PageQuery; res: Page<JobCardView> };
  'dispatch.grab': { req: { jobId: string }; res: JobDetailView };
  'dispatch.job': { req: { jobId: string }; res: JobDetailView };
  'dispatch.unlockCode': { req: { jobId: string }; res: JobCardView };
  'dispatch.release': { req: { jobId: string; reason: string }; res: { jobId: string } };
  'dispatch.pickUp': { req: { jobId: string; counts: Record<string, number> }; res: PickupView };
  'dispatch.deliver': { req: DeliverInput; res: StopResultView };
  /** The volunteer carrying one of the caller's household's orders (the household only). */
  'dispatch.courier': { req: { orderId: string }; res: CourierView };
  'dispatch.fail': { req: { jobId: string; orderId: string; reason: string }; res: StopResultView };
  /** Leg 1 of a gas swap at one door (the round's volunteer). */
  'dispatch.collectEmpty': { req: CollectEmptyInput; res: StopResultView };
  /** The full cylinders of the grid's collected empties are back from the station: leg 2 may be dispatched. */
  'dispatch.gasRefilled': { req: { gridId: string }; res: { changed: number } };
}
