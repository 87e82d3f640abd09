ALTER TABLE "payments" DROP CONSTRAINT "payments_status_check";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "request_fingerprint" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "checkout_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "currency" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "amount_minor" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "method_type" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "card_token" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "void_reason" text;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_voided_has_reason" CHECK (("payments"."status" = 'VOIDED') = ("payments"."void_reason" is not null));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_request_unless_voided" CHECK (case when "payments"."status" = 'VOIDED'
        then num_nonnulls("payments"."request_fingerprint", "payments"."checkout_id", "payments"."currency", "payments"."amount_minor", "payments"."method_type", "payments"."card_token") = 0
        else num_nulls("payments"."request_fingerprint", "payments"."checkout_id", "payments"."currency", "payments"."amount_minor", "payments"."method_type", "payments"."card_token") = 0
      end);--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status_check" CHECK ("payments"."status" in ('SUCCEEDED', 'DECLINED', 'PENDING', 'REFUNDED', 'VOIDED'));