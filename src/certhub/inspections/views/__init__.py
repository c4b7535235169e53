"""The pages of 双随机、一公开 (C5): the public tabs (public.py) and the office pages (office.py)."""
