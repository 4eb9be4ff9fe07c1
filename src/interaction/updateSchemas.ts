// The two kinds of update the operator asks for (allowed_updates), checked with zod: an update is
// input from Telegram's users, and an odd one must be skipped, never crash the poller.
import { z } from 'zod';

const User = z.object({ id: z.number().int(), username: z.string().optional(), first_name: z.string().default('') });
const Chat = z.object({ id: z.number().int(), type: z.string(), title: z.string().optional(), first_name: z.string().optional() });

export const CallbackQuerySchema = z.object({
  id: z.string().min(1),
  from: User,
  /** Absent when the message is too old for Telegram to include. */
  message: z.object({ message_id: z.number().int(), chat: Chat }).optional(),
  data: z.string().optional(),
});
export type CallbackQuery = z.infer<typeof CallbackQuerySchema>;

export const MyChatMemberSchema = z.object({
  chat: Chat,
  date: z.number().int(),
  new_chat_member: z.object({ status: z.string() }),
});
export type MyChatMember = z.infer<typeof MyChatMemberSchema>;
