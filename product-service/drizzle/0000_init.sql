CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`currency` text NOT NULL,
	`price_minor` integer NOT NULL,
	`image_url` text NOT NULL
);
