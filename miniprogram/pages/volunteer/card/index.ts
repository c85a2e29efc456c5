/** 志愿者证: name, team, community, status, and a signed QR the checkpoint scans (valid 24 h, refreshed on open). */
import type { VolunteerCardView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';

Component({
  data: {
    loading: true,
    card: null as (VolunteerCardView & { validText: string }) | null,
  },
  methods: {
    onShow() {
      // Every visit signs a fresh card: one left open overnight would have expired.
      return this.load();
    },
    async load() {
      try {
        const card = await call('volunteer.card', {});
        this.setData({ loading: false, card: { ...card, validText: chinaTime(card.validUntil) } });
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
  },
});
