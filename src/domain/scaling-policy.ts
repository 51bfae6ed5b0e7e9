/** The scaling-policy model lives with the other records in contracts (the store keeps it); rules build on it here. */
export * from '../contracts/scaling-policy.ts';
