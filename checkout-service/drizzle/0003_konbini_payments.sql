CREATE TABLE "payment_notifications" (
	"webhook_id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"payment_id" text NOT NULL,
	"checkout_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "checkout_sessions" ADD COLUMN "payment_store" text;--> statement-breakpoint
ALTER TABLE "checkout_sessions" ADD COLUMN "konbini" jsonb;