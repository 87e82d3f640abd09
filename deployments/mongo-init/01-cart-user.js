// Runs once, when the mongo container initialises an empty data volume
// (docker-entrypoint-initdb.d, as the root user): the cart service's own user, which may read
// and write the cart database and nothing else. Its password comes from deployments/.env.
db.getSiblingDB("cart").createUser({
  user: "cart_service",
  pwd: process.env.CART_MONGODB_PASSWORD,
  roles: [{ role: "readWrite", db: "cart" }],
});
