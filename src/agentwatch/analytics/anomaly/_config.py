"""The detector's settings, apart from the detector (numpy): the CLI takes its option
defaults from them without loading numpy."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DetectorConfig"]


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """The detector's settings; the defaults are the ones evaluated in the docs."""

    window: int = 60  # points in the baseline (15 minutes at a 15 s step)
    min_history: int = 20  # points needed before anything is scored
    point_z: float = 6.0  # robust z of one point that scores 0.5
    shift_points: int = 5  # points whose median is tested for a level shift
    shift_z: float = 4.0  # robust z of that median that scores 0.5
    relative_floor: float = 0.01  # spread is at least this share of the level ...
    absolute_floor: float = 1e-9  # ... and at least this, so a flat series has a scale
    gap_factor: float = 5.0  # a gap this many times the usual interval resets the detector

    def __post_init__(self) -> None:
        if self.window < 3 or self.min_history < 3 or self.shift_points < 1:
            raise ValueError("window and min_history must be >= 3, shift_points >= 1")
        if self.min_history > self.window:
            raise ValueError("min_history cannot exceed window")
        if self.shift_points > self.min_history:
            raise ValueError("shift_points cannot exceed min_history")
        if self.point_z <= 0 or self.shift_z <= 0 or self.gap_factor <= 1:
            raise ValueError("point_z and shift_z must be positive, gap_factor above 1")
        if self.relative_floor < 0 or self.absolute_floor <= 0:
            raise ValueError("relative_floor must be >= 0 and absolute_floor positive")
