import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { type ErrorDetail, ErrorDetailSchema, type LineShortage } from "./gen/checkoutsaga/common/v1/common_pb.js";

/** What went wrong, in business terms; each edge maps it to its own codes once. */
export type ErrorKind =
  | "invalid_argument"
  | "unauthenticated"
  | "permission_denied"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "aborted"
  | "resource_exhausted"
  | "unavailable"
  | "deadline_exceeded"
  | "internal";

export interface ErrorContext {
  metadata?: Record<string, string>;
  lines?: Array<Pick<LineShortage, "productId" | "requested" | "available">>;
}

/**
 * The one error type domain code throws. `reason` is a stable UPPER_SNAKE identifier that
 * travels to clients (ErrorDetail.reason over RPC, problem `type` over REST); `cause` stays in logs.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly kind: ErrorKind,
    readonly reason: string,
    message: string,
    readonly context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const invalidArgument = (reason: string, message: string, context?: ErrorContext) =>
  new DomainError("invalid_argument", reason, message, context);
export const notFound = (reason: string, message: string, context?: ErrorContext) =>
  new DomainError("not_found", reason, message, context);
export const failedPrecondition = (reason: string, message: string, context?: ErrorContext) =>
  new DomainError("failed_precondition", reason, message, context);

const codeByKind: Record<ErrorKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  deadline_exceeded: Code.DeadlineExceeded,
  internal: Code.Internal,
};

/** Turns a DomainError into a ConnectError carrying an ErrorDetail; anything else passes through. */
export function toConnectError(err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  const detail = create(ErrorDetailSchema, {
    reason: err.reason,
    metadata: err.context.metadata ?? {},
    lines: err.context.lines ?? [],
  });
  return new ConnectError(
    err.message,
    codeByKind[err.kind],
    undefined,
    [{ desc: ErrorDetailSchema, value: detail }],
    err,
  );
}

/** Server interceptor: domain errors leave a service as Connect errors with details. */
export const domainErrorInterceptor: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    throw toConnectError(err);
  }
};

/** The ErrorDetail a service attached to an error, if any. */
export function errorDetail(err: unknown): ErrorDetail | undefined {
  if (!(err instanceof ConnectError)) return undefined;
  return err.findDetails(ErrorDetailSchema)[0];
}

/** Codes worth retrying: the call may not have happened, or may succeed a moment later. */
export function isRetryable(err: unknown): boolean {
  const code = ConnectError.from(err).code;
  return (
    code === Code.Unavailable ||
    code === Code.DeadlineExceeded ||
    code === Code.ResourceExhausted ||
    code === Code.Aborted
  );
}
