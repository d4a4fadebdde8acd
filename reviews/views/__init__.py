"""Views of the reviews app: the register (register.py) and a review's own pages (review.py)."""
