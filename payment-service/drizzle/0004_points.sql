CREATE TABLE "points_accounts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_earnings" (
	"checkout_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"event_id" text NOT NULL,
	"points" bigint NOT NULL,
	"charged_minor" bigint NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"fully_cancelled" boolean DEFAULT false NOT NULL,
	"earned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"delta" bigint NOT NULL,
	"reason" text NOT NULL,
	"checkout_id" text,
	"order_id" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_lots" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"checkout_id" text NOT NULL,
	"earned" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"earned_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_lots_checkout_id_unique" UNIQUE("checkout_id"),
	CONSTRAINT "points_lots_remaining_within_earned" CHECK ("points_lots"."remaining" between 0 and "points_lots"."earned")
);
--> statement-breakpoint
CREATE TABLE "points_redemption_draws" (
	"redemption_key" text NOT NULL,
	"seq" integer NOT NULL,
	"lot_id" uuid NOT NULL,
	"taken" bigint NOT NULL,
	"returned" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "points_redemption_draws_redemption_key_seq_pk" PRIMARY KEY("redemption_key","seq"),
	CONSTRAINT "points_redemption_draws_returned_within_taken" CHECK ("points_redemption_draws"."returned" between 0 and "points_redemption_draws"."taken")
);
--> statement-breakpoint
CREATE TABLE "points_redemptions" (
	"redemption_key" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"checkout_id" text,
	"points" bigint NOT NULL,
	"returned" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_redemptions_status_check" CHECK ("points_redemptions"."status" in ('REDEEMED', 'RETURNED', 'VOIDED')),
	CONSTRAINT "points_redemptions_returned_within_points" CHECK ("points_redemptions"."returned" between 0 and "points_redemptions"."points"),
	CONSTRAINT "points_redemptions_voided_is_empty" CHECK (("points_redemptions"."status" = 'VOIDED') = ("points_redemptions"."user_id" is null) and ("points_redemptions"."status" = 'VOIDED') = ("points_redemptions"."points" = 0))
);
--> statement-breakpoint
CREATE TABLE "points_returns" (
	"redemption_key" text NOT NULL,
	"return_key" text NOT NULL,
	"requested" bigint NOT NULL,
	"returned" bigint NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_returns_redemption_key_return_key_pk" PRIMARY KEY("redemption_key","return_key")
);
--> statement-breakpoint
CREATE TABLE "points_take_backs" (
	"cancellation_id" text PRIMARY KEY NOT NULL,
	"checkout_id" text NOT NULL,
	"order_id" text NOT NULL,
	"user_id" text NOT NULL,
	"event_id" text NOT NULL,
	"refund_minor" bigint NOT NULL,
	"orders_last_lines" boolean NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"applied_at" timestamp with time zone,
	"taken_back" bigint,
	"shortfall" bigint
);
--> statement-breakpoint
ALTER TABLE "points_entries" ADD CONSTRAINT "points_entries_user_id_points_accounts_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."points_accounts"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_lots" ADD CONSTRAINT "points_lots_user_id_points_accounts_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."points_accounts"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_redemption_draws" ADD CONSTRAINT "points_redemption_draws_redemption_key_points_redemptions_redemption_key_fk" FOREIGN KEY ("redemption_key") REFERENCES "public"."points_redemptions"("redemption_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_redemption_draws" ADD CONSTRAINT "points_redemption_draws_lot_id_points_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."points_lots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_returns" ADD CONSTRAINT "points_returns_redemption_key_points_redemptions_redemption_key_fk" FOREIGN KEY ("redemption_key") REFERENCES "public"."points_redemptions"("redemption_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "points_entries_user_idx" ON "points_entries" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "points_lots_user_expiry_idx" ON "points_lots" USING btree ("user_id","expires_at");--> statement-breakpoint
CREATE INDEX "points_lots_holding_expiry_idx" ON "points_lots" USING btree ("expires_at") WHERE "points_lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX "points_take_backs_waiting_idx" ON "points_take_backs" USING btree ("checkout_id") WHERE "points_take_backs"."applied_at" is null;