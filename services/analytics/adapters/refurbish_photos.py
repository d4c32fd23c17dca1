"""Refurbish's bench photos of an inspection, for a case's evidence pack, asked as
analytics itself (its client-credentials token: refurbish serves them to a service only,
`GET /evidence/inspections/{id}/photos` and `…/photos/{photo_id}`). The analytics route has
checked already that the caller may see the case.

Nothing here fails the pack: an inspection or a photo refurbish does not give (no answer,
an error, a 404) comes back as a `MissingPhoto` with the reason.
"""

from dataclasses import dataclass

import httpx

from services.analytics.domain.evidence import MissingPhoto, PhotoFile

MOST_PHOTOS = 40  # of one case: a pack is uploaded to a marketplace's form
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


@dataclass(frozen=True)
class BenchPhotos:
    client: httpx.AsyncClient

    async def of_inspections(
        self, inspection_ids: list[str]
    ) -> tuple[list[PhotoFile], list[MissingPhoto]]:
        found: list[PhotoFile] = []
        missing: list[MissingPhoto] = []
        for inspection_id in inspection_ids:
            listed, why = await self._get(f"/evidence/inspections/{inspection_id}/photos")
            if listed is None:
                missing.append(MissingPhoto(f"inspection {inspection_id}", why))
                continue
            try:
                photos = [(str(p["photo_id"]), p) for p in listed.json()]
            except (ValueError, TypeError, KeyError):
                missing.append(MissingPhoto(f"inspection {inspection_id}", "unreadable list"))
                continue
            for _, photo in photos:
                reference = f"inspection {inspection_id}, photo {photo['photo_id']}"
                if len(found) >= MOST_PHOTOS:
                    missing.append(MissingPhoto(reference, f"past the {MOST_PHOTOS} a pack holds"))
                    continue
                path = f"/evidence/inspections/{inspection_id}/photos/{photo['photo_id']}"
                answer, why = await self._get(path)
                kind = answer.headers.get("content-type", "").split(";")[0] if answer else ""
                if answer is None or kind not in IMAGE_TYPES:
                    missing.append(MissingPhoto(reference, why or f"not an image: {kind!r}"))
                    continue
                found.append(PhotoFile(inspection_id, photo["photo_id"], kind, answer.content))
        return found, missing

    async def _get(self, path: str) -> tuple[httpx.Response | None, str]:
        try:
            answer = await self.client.get(path)
        except httpx.HTTPError as failure:
            return None, f"refurbish did not answer: {failure.__class__.__name__}"
        if answer.status_code != 200:
            return None, f"refurbish answered {answer.status_code}"
        return answer, ""
