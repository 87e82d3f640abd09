-- One price per currency: the single (currency, price_minor) pair moves to product_prices,
-- and products gain their tax class (every existing product is standard).
CREATE TABLE `product_prices` (
	`product_id` text NOT NULL,
	`currency` text NOT NULL,
	`amount_minor` integer NOT NULL,
	PRIMARY KEY(`product_id`, `currency`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `product_prices` (`product_id`, `currency`, `amount_minor`) SELECT `id`, `currency`, `price_minor` FROM `products`;
--> statement-breakpoint
ALTER TABLE `products` ADD `tax_class` text DEFAULT 'standard' NOT NULL;
--> statement-breakpoint
ALTER TABLE `products` DROP COLUMN `currency`;
--> statement-breakpoint
ALTER TABLE `products` DROP COLUMN `price_minor`;
