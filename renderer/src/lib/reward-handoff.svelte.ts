/**
 * A run another view asks the Reward Lab to open (a training job's sampled rollouts).
 * The asking view sets it and switches to the lab; the lab takes it when it mounts, or
 * at once when it is already showing.
 */
class RewardHandoff {
  runId = $state<number | null>(null);

  open(runId: number): void {
    this.runId = runId;
  }

  take(): number | null {
    const id = this.runId;
    this.runId = null;
    return id;
  }
}

export const rewardHandoff = new RewardHandoff();
