"""The replenishment policy simulation: replay real demand day by day under BOH's policy and the baseline."""
