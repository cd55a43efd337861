import { z } from "zod";

/** Zod primitives shared by more than one area's settings schema. */

export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name like console.example.org");
