// The Bot API's answers, checked with zod: a proxy's HTML error page or a truncated body must
// become a clear "Telegram unavailable", never a crash on an undefined field.
import { z } from 'zod';

export const EnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown(), description: z.string().optional() }),
  z.object({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string().default(''),
    parameters: z.object({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() }).partial().optional(),
  }),
]);

export const UserSchema = z.object({
  id: z.number(),
  is_bot: z.boolean().optional(),
  first_name: z.string().default(''),
  username: z.string().default(''),
});
export type TelegramUser = z.infer<typeof UserSchema>;

/** What Telegram sends only when it applies (a title for groups, names for private chats). */
const ChatOptionalFields = z.object({
  title: z.string(),
  username: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  is_forum: z.boolean(),
});

export const ChatSchema = z.object({
  id: z.number(),
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  ...ChatOptionalFields.partial().shape,
});
export type TelegramChat = z.infer<typeof ChatSchema>;

export const ChatMemberSchema = z.object({
  status: z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']),
  can_post_messages: z.boolean().optional(),
  can_send_messages: z.boolean().optional(),
  /** An administrator's right to create, rename and close forum topics (createForumTopic needs it). */
  can_manage_topics: z.boolean().optional(),
  is_member: z.boolean().optional(),
});
export type TelegramChatMember = z.infer<typeof ChatMemberSchema>;

export const MessageSchema = z.object({
  message_id: z.number(),
  chat: z.object({ id: z.number() }).passthrough(),
  date: z.number().optional(),
});
export type TelegramMessage = z.infer<typeof MessageSchema>;

/** createForumTopic's answer: the new topic's thread id. */
export const ForumTopicSchema = z.object({ message_thread_id: z.number().int(), name: z.string() });
export type TelegramForumTopic = z.infer<typeof ForumTopicSchema>;

/** A photo as Telegram keeps it: one size per resolution, the largest last. */
const PhotoSizeSchema = z.object({ file_id: z.string(), file_unique_id: z.string(), width: z.number(), height: z.number() });

/** sendPhoto's answer: a Message with the photo's sizes (their file_id can send the photo again without uploading it). */
export const PhotoMessageSchema = MessageSchema.extend({
  photo: z.array(PhotoSizeSchema).min(1),
  caption: z.string().optional(),
});
export type TelegramPhotoMessage = z.infer<typeof PhotoMessageSchema>;
