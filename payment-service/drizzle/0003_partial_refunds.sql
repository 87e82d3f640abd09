CREATE TABLE "payment_refunds" (
	"payment_id" uuid NOT NULL,
	"refund_key" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_refunds_payment_id_refund_key_pk" PRIMARY KEY("payment_id","refund_key"),
	CONSTRAINT "payment_refunds_amount_positive" CHECK ("payment_refunds"."amount_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_refunds" ADD CONSTRAINT "payment_refunds_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Hand-written: a payment refunded before partial refunds was refunded in full, by one refund without a key.
UPDATE "payments" SET "refunded_minor" = "amount_minor" WHERE "status" = 'REFUNDED';--> statement-breakpoint
INSERT INTO "payment_refunds" ("payment_id", "refund_key", "amount_minor", "reason", "created_at")
  SELECT "id", '', "amount_minor", coalesce("refund_reason", ''), "refunded_at" FROM "payments" WHERE "status" = 'REFUNDED';--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refunded_within_amount" CHECK ("payments"."refunded_minor" between 0 and coalesce("payments"."amount_minor", 0));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refunded_in_full" CHECK (("payments"."status" = 'REFUNDED') = ("payments"."refunded_minor" = "payments"."amount_minor"));