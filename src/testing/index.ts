export { ScriptedChatModel, type ScriptStep, type ScriptedCall } from "./scripted-chat-model.js";
export { ScriptedDiscriminator } from "./scripted-discriminator.js";
