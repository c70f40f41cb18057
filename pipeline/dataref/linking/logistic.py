"""Logistic regression kept as plain numbers (saved with a pipe as JSON, no pickle): the entity decision and
the link ranker both score with it."""
import math
from dataclasses import dataclass
from typing import Optional


@dataclass
class LogisticModel:
    """Weights over named features, standardised by mean and scale."""
    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float

    def score(self, values: dict[str, float]) -> tuple[float, list[dict]]:
        """The probability, and each feature's push on the log-odds
        ({feature, value, push}), strongest first."""
        pushes: list[dict] = []
        total = self.bias
        for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            value = values.get(name, 0.0)
            push = weight * (value - mean) / (scale or 1.0)
            total += push
            pushes.append({"feature": name, "value": round(value, 3), "push": round(push, 3)})
        pushes.sort(key=lambda p: -abs(p["push"]))
        return 1.0 / (1.0 + math.exp(-total)), pushes

    def to_dict(self) -> dict:
        return {"features": self.features, "mean": self.mean, "scale": self.scale, "weights": self.weights,
                "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Optional[dict]) -> Optional["LogisticModel"]:
        return cls(**data) if data else None
