CREATE TABLE `carts` (
	`user_id` text PRIMARY KEY NOT NULL,
	`items` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`applied_event_ids` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `carts_updated_at_idx` ON `carts` (`updated_at`);