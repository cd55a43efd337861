/**
 * Deterministic subnet plan: the VPC CIDR is cut into 2^bits equal blocks (at most /20, at
 * least /27 so an ALB fits); public subnets take blocks 0…n-1, private subnets the upper half.
 */
export interface SubnetPlan {
  public: string[];
  private: string[];
}

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  const [base, lenText] = vpcCidr.split("/");
  const len = Number(lenText);
  if (!base || !Number.isInteger(len) || len < 16 || len > 24) throw new Error(`vpcCidr ${vpcCidr}: must be a /16 to /24 network`);
  if (azCount < 1 || azCount > 4) throw new Error(`azCount ${azCount}: must be 1 to 4`);
  const bits = Math.min(4, 27 - len);
  const half = 2 ** (bits - 1);
  if (azCount > half) throw new Error(`vpcCidr ${vpcCidr}: too small for ${azCount} public and ${azCount} private subnets`);
  const size = 2 ** (32 - len - bits);
  const start = toInt(base) - (toInt(base) % 2 ** (32 - len));
  const block = (i: number) => `${toIp(start + i * size)}/${len + bits}`;
  return {
    public: Array.from({ length: azCount }, (_, i) => block(i)),
    private: Array.from({ length: azCount }, (_, i) => block(half + i)),
  };
}
