CREATE TABLE "order_cancellation_transitions" (
	"cancellation_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_cancellation_transitions_cancellation_id_seq_pk" PRIMARY KEY("cancellation_id","seq")
);
--> statement-breakpoint
CREATE TABLE "order_cancellations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"response" "bytea",
	"reason" text NOT NULL,
	"lines" jsonb NOT NULL,
	"currency" text NOT NULL,
	"refund_minor" bigint NOT NULL,
	"failure" jsonb,
	"needs_attention" boolean DEFAULT false NOT NULL,
	"compensation_attempts" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_cancellations_idempotency_key" UNIQUE("requested_by","idempotency_key"),
	CONSTRAINT "order_cancellations_refund_check" CHECK ("order_cancellations"."refund_minor" >= 0)
);
--> statement-breakpoint
ALTER TABLE "order_cancellation_transitions" ADD CONSTRAINT "order_cancellation_transitions_cancellation_id_order_cancellations_id_fk" FOREIGN KEY ("cancellation_id") REFERENCES "public"."order_cancellations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_cancellations" ADD CONSTRAINT "order_cancellations_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_cancellations_order_idx" ON "order_cancellations" USING btree ("order_id","created_at");--> statement-breakpoint
CREATE INDEX "order_cancellations_unfinished_idx" ON "order_cancellations" USING btree ("updated_at") WHERE "order_cancellations"."status" not in ('COMPLETED', 'FAILED');