-- A cart's currency; null for carts written before carts had one (they are in the store's currency).
ALTER TABLE `carts` ADD `currency` text;