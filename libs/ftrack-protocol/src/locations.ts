// Locations every ftrack server has, with the ids ftrack gives them (protocol §6.1).

/** ftrack's own storage. */
export const SERVER_LOCATION_NAME = 'ftrack.server';

export const LOCATION_IDS = {
  server: '3a372bde-05bc-11e4-8908-20c9d081909b',
  origin: 'ce9b348f-8809-11e3-821c-20c9d081909b',
  unmanaged: 'cb268ecc-8809-11e3-a7e2-20c9d081909b',
  review: 'cd41be70-8809-11e3-b98a-20c9d081909b',
  connect: '07b82a97-8cf9-11e3-9383-20c9d081909b',
} as const;

export const SERVER_LOCATION_ID = LOCATION_IDS.server;
