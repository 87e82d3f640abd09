CREATE TABLE "stock_return_lines" (
	"return_key" text NOT NULL,
	"product_id" text NOT NULL,
	"quantity" integer NOT NULL,
	CONSTRAINT "stock_return_lines_return_key_product_id_pk" PRIMARY KEY("return_key","product_id"),
	CONSTRAINT "stock_return_lines_quantity_positive" CHECK ("stock_return_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "stock_returns" (
	"return_key" text PRIMARY KEY NOT NULL,
	"reservation_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reservation_lines" ADD COLUMN "returned" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stock_return_lines" ADD CONSTRAINT "stock_return_lines_return_key_stock_returns_return_key_fk" FOREIGN KEY ("return_key") REFERENCES "public"."stock_returns"("return_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_returns" ADD CONSTRAINT "stock_returns_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservation_lines" ADD CONSTRAINT "reservation_lines_returned_within_quantity" CHECK ("reservation_lines"."returned" between 0 and "reservation_lines"."quantity");