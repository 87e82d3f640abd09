CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"payment_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"dead_at" timestamp with time zone,
	CONSTRAINT "webhook_deliveries_status_check" CHECK ("webhook_deliveries"."status" in ('PENDING', 'DELIVERED', 'DEAD')),
	CONSTRAINT "webhook_deliveries_event_type_check" CHECK ("webhook_deliveries"."event_type" in ('payment.succeeded', 'payment.expired', 'payment.failed')),
	CONSTRAINT "webhook_deliveries_delivered_at" CHECK (("webhook_deliveries"."status" = 'DELIVERED') = ("webhook_deliveries"."delivered_at" is not null)),
	CONSTRAINT "webhook_deliveries_dead_at" CHECK (("webhook_deliveries"."status" = 'DEAD') = ("webhook_deliveries"."dead_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_status_check";--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_request_unless_voided";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "konbini_store" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "konbini_confirmation_number" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "paid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_payment_event_unique" ON "webhook_deliveries" USING btree ("payment_id","event_type");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at") WHERE "webhook_deliveries"."status" = 'PENDING';--> statement-breakpoint
CREATE UNIQUE INDEX "payments_konbini_confirmation_number_unique" ON "payments" USING btree ("konbini_confirmation_number");--> statement-breakpoint
CREATE INDEX "payments_pending_expiry_idx" ON "payments" USING btree ("expires_at") WHERE "payments"."status" = 'PENDING';--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_card_has_token" CHECK (("payments"."method_type" = 'card') = ("payments"."card_token" is not null));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_konbini_outcomes" CHECK ("payments"."status" not in ('PENDING', 'EXPIRED') and ("payments"."status" <> 'VOIDED' or "payments"."request_fingerprint" is null)
        or "payments"."method_type" = 'konbini');--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_konbini_has_voucher" CHECK (("payments"."konbini_confirmation_number" is not null) = ("payments"."method_type" = 'konbini' and "payments"."status" <> 'DECLINED')
        and ("payments"."konbini_confirmation_number" is null) = ("payments"."expires_at" is null)
        and ("payments"."konbini_store" is null or "payments"."method_type" = 'konbini'));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_paid_at_store" CHECK (("payments"."paid_at" is not null) = ("payments"."konbini_confirmation_number" is not null and "payments"."status" in ('SUCCEEDED', 'REFUNDED')));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status_check" CHECK ("payments"."status" in ('SUCCEEDED', 'DECLINED', 'PENDING', 'REFUNDED', 'VOIDED', 'EXPIRED'));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_request_unless_voided" CHECK (case when "payments"."request_fingerprint" is null
        then "payments"."status" = 'VOIDED' and num_nonnulls("payments"."checkout_id", "payments"."currency", "payments"."amount_minor", "payments"."method_type", "payments"."card_token", "payments"."konbini_confirmation_number") = 0
        else num_nulls("payments"."checkout_id", "payments"."currency", "payments"."amount_minor", "payments"."method_type") = 0
      end);