import { complainantOf } from "../../complaints/index.js";
import { mayViewIdentity } from "../directory.js";
import type { ComplaintCommand } from "./types.js";

/**
 * /identitas: the reporter's identity, only where the actor alone reads the answer (a private
 * chat, the web console) and only for roles allowed to see it. Every attempt is audited.
 */
export const identityCommand: ComplaintCommand<"identity"> = {
  scope: "complaint",
  writes: true,
  async run(ctx, _intent, complaint, request) {
    const { ticket } = complaint;
    if (!request.privateView) return ctx.refuse(ctx.t({ key: "staff.identity.privateOnly", vars: { ticket } }));
    const { role } = ctx.actor;
    const place = request.place ?? ctx.actor.via;
    if (!mayViewIdentity(ctx.deps.sop, role)) {
      // A refused attempt is audited too: who tried to see whom matters as much as who saw.
      await ctx.event(complaint.id, "staff.identityDenied", { chat: place, role });
      return ctx.refuse(ctx.t({ key: "staff.identity.notAllowed", vars: { role } }));
    }
    const person = await complainantOf(ctx.deps.db.prisma, complaint);
    await ctx.event(complaint.id, "staff.identity", { chat: place });
    if (!person || person.anonymous) return ctx.done(ctx.t({ key: "staff.identity.anonymous", vars: { ticket } }));
    return ctx.done(
      ctx.t({
        key: "staff.identity",
        vars: {
          ticket,
          name: person.name ?? "-",
          email: person.email ?? "-",
          phone: person.phone ?? "-",
          address: person.address ?? "-",
          accounts: person.identities.map((i) => `${i.channel}:${i.externalId}`).join(", ") || "-",
        },
      }),
    );
  },
};
